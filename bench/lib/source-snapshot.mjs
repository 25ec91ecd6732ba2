// A commit's relay sources as a directory the bench can build and run: `git archive <ref>` of what the
// Worker is made of, with this checkout's node_modules linked in (the dependencies of a recent commit
// are the same packages; the bench measures the relay's code, not a dependency bump).
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './paths.mjs';

export const snapshotSource = (ref, dir) => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive '${ref}' src schema wrangler.toml tsconfig.json package.json | tar -x -C '${dir}'`], { cwd: ROOT });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
};
