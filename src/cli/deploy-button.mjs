// The "Deploy to Cloudflare" button for a fork: Cloudflare's deploy page clones a public repository
// URL, so the button is only right once it names the repository it sits in. `npm run deploy:setup --
// --button` prints it for the clone's `origin`.

const BUTTON_IMAGE = 'https://deploy.workers.cloudflare.com/button';
const DEPLOY_PAGE = 'https://deploy.workers.cloudflare.com/?url=';

/**
 * The repository's public https URL from a git remote (`https://host/owner/repo(.git)`,
 * `git@host:owner/repo(.git)`, `ssh://git@host/owner/repo(.git)`), or null when the remote is not
 * a hosted repository (a local path, a file:// URL, anything with credentials in it stripped first).
 */
export const publicRepositoryUrl = (remote) => {
  const text = remote.trim();
  const scp = /^[\w.-]+@([\w.-]+):([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(text);
  if (scp !== null) return `https://${scp[1]}/${scp[2]}/${scp[3]}`;
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(url.protocol)) return null;
  const parts = url.pathname.replace(/\.git\/?$/, '').replace(/\/$/, '').split('/').filter(Boolean);
  if (parts.length !== 2 || !url.hostname.includes('.')) return null;
  return `https://${url.hostname}/${parts[0]}/${parts[1]}`;
};

/** The Markdown of the button for that repository. */
export const deployButtonMarkdown = (repositoryUrl) => `[![Deploy to Cloudflare](${BUTTON_IMAGE})](${DEPLOY_PAGE}${encodeURIComponent(repositoryUrl)})`;
