/**
 * A port the process must listen on is taken: the one line an operator needs, naming the
 * variable that picks another port.
 */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';

  constructor(
    readonly port: number,
    readonly setting: string,
    options?: { cause?: unknown },
  ) {
    super(`Port ${port} is already in use: set ${setting} to a free port`, options);
  }
}

/** `error` as a PortInUseError when it is the OS saying the address is taken, else as it is. */
export const explainListenError = <E>(
  error: E,
  port: number,
  setting: string,
): E | PortInUseError =>
  (error as NodeJS.ErrnoException | null)?.code === 'EADDRINUSE'
    ? new PortInUseError(port, setting, { cause: error })
    : error;
