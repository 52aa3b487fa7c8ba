import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The app's root folder (holds package.json and host.json), from the sources or from dist/. */
export function appRoot(from = __dirname): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'host.json')) && existsSync(join(dir, 'package.json'))) return dir;
  }
  throw new Error(`No app root (host.json and package.json) above ${from}`);
}
