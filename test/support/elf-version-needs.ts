import { closeSync, openSync, readSync } from 'node:fs';

const SHT_GNU_VERNEED = 0x6ffffffe;
const SECTION_HEADER_SIZE = 64;

interface Section {
  type: number;
  offset: number;
  size: number;
  link: number;
  info: number;
}

/** Reads `length` bytes at `position`; only the headers and two small sections are read. */
function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.alloc(length);
  readSync(fd, buffer, 0, length, position);
  return buffer;
}

function sectionsOf(fd: number): Section[] {
  const header = readAt(fd, 0, 64);
  if (header.toString('latin1', 0, 4) !== '\x7fELF' || header[4] !== 2 || header[5] !== 1) {
    throw new Error('not a little-endian ELF64 file');
  }
  const offset = Number(header.readBigUInt64LE(0x28));
  const count = header.readUInt16LE(0x3c);
  const table = readAt(fd, offset, count * SECTION_HEADER_SIZE);
  return Array.from({ length: count }, (_, index) => {
    const at = index * SECTION_HEADER_SIZE;
    return {
      type: table.readUInt32LE(at + 4),
      offset: Number(table.readBigUInt64LE(at + 0x18)),
      size: Number(table.readBigUInt64LE(at + 0x20)),
      link: table.readUInt32LE(at + 0x28),
      info: table.readUInt32LE(at + 0x2c),
    };
  });
}

/**
 * The symbol versions a shared object needs from each library it links, read from its ELF
 * `.gnu.version_r` section (what `readelf -V` prints): e.g. `libc.so.6 → [GLIBC_2.2.5, …]`.
 */
export function versionNeeds(path: string): Map<string, string[]> {
  const fd = openSync(path, 'r');
  try {
    const sections = sectionsOf(fd);
    const verneed = sections.find((section) => section.type === SHT_GNU_VERNEED);
    const needs = new Map<string, string[]>();
    if (!verneed) return needs;
    const strings = sections[verneed.link];
    const stringTable = readAt(fd, strings.offset, strings.size);
    const name = (at: number): string =>
      stringTable.toString('latin1', at, stringTable.indexOf(0, at));
    const table = readAt(fd, verneed.offset, verneed.size);
    // Verneed entries (16 bytes: version, count, file, aux, next), each with `count` Vernaux
    // entries (16 bytes: hash, flags, other, name, next); `next` fields are relative offsets.
    for (let entry = 0, at = 0; entry < verneed.info; entry++) {
      const versions: string[] = [];
      const count = table.readUInt16LE(at + 2);
      for (let aux = 0, auxAt = at + table.readUInt32LE(at + 8); aux < count; aux++) {
        versions.push(name(table.readUInt32LE(auxAt + 8)));
        auxAt += table.readUInt32LE(auxAt + 12);
      }
      needs.set(name(table.readUInt32LE(at + 4)), versions);
      at += table.readUInt32LE(at + 12);
    }
    return needs;
  } finally {
    closeSync(fd);
  }
}
