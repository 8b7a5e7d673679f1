/** The local file system (node:fs), behind the FileSystem interface of file-system.ts. */
import { closeSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import type { EntryType, FileStatus, FileSystem, ReadHandle, WriteHandle } from './file-system.ts';

function typeOf(st: Stats): EntryType {
  return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : st.isSymbolicLink() ? 'symlink' : 'other';
}

export const localFileSystem: FileSystem = {
  name: 'local',
  stat(path: string, follow = true): FileStatus | undefined {
    let st: Stats | undefined;
    try {
      st = follow ? statSync(path, { throwIfNoEntry: false }) : lstatSync(path, { throwIfNoEntry: false });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
      throw e;
    }
    return st === undefined ? undefined : { type: typeOf(st), size: st.size, blockSize: 0 };
  },
  list: (dir) => readdirSync(dir),
  openRead(path: string): ReadHandle {
    let fd = openSync(path, 'r');
    return {
      read: (buffer, offset, length, position) => readSync(fd, buffer, offset, length, position),
      close: () => {
        if (fd >= 0) closeSync(fd);
        fd = -1;
      },
    };
  },
  create(path: string, options = {}): WriteHandle {
    mkdirSync(dirname(path), { recursive: true });
    let fd = openSync(path, options.exclusive === true ? 'wx' : 'w');
    return {
      write(bytes) {
        for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      },
      close() {
        if (fd < 0) return;
        const f = fd;
        fd = -1;
        closeSync(f);
      },
    };
  },
  createExclusive(path: string, text: string): boolean {
    // The text is written first and the file made by link(2), which fails when one exists: it is
    // never seen half written.
    const mine = `${path}.${process.pid}.tmp`;
    writeFileSync(mine, text);
    try {
      linkSync(mine, path);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    } finally {
      rmSync(mine, { force: true });
    }
  },
  readText: (path) => readFileSync(path, 'utf8'),
  rename: (from, to) => renameSync(from, to),
  remove: (path) => rmSync(path, { recursive: true, force: true }),
  mkdirs: (path) => void mkdirSync(path, { recursive: true }),
};
