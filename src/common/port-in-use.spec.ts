import { explainListenError, PortInUseError } from './port-in-use';

describe('explainListenError', () => {
  it('names the port and the variable to change when the address is taken', () => {
    const taken = Object.assign(new Error('listen EADDRINUSE: address already in use'), {
      code: 'EADDRINUSE',
    });
    const explained = explainListenError(taken, 9464, 'METRICS_PORT');
    expect(explained).toBeInstanceOf(PortInUseError);
    expect((explained as Error).message).toBe(
      'Port 9464 is already in use: set METRICS_PORT to a free port',
    );
    expect((explained as Error).cause).toBe(taken);
  });

  it('leaves any other error as it is', () => {
    const denied = Object.assign(new Error('listen EACCES'), { code: 'EACCES' });
    expect(explainListenError(denied, 80, 'PORT')).toBe(denied);
  });
});
