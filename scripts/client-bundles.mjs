// The device bundles and the one way they are built, shared by scripts/build-client.mjs and the test
// that rebuilds them and compares with what the server serves (the hashes /c/{code}/keys publishes).
// esbuild with these options is deterministic: same source and versions, same bytes.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

export const bundles = [
  { entry: 'src/hearing/client/ballot.client.ts', out: 'src/generated/ballot-client.ts', name: 'ballotClientJs', label: 'ballot client' },
  { entry: 'src/survey/client/survey.client.ts', out: 'src/generated/survey-client.ts', name: 'surveyClientJs', label: 'survey client' },
  { entry: 'src/tally/client/custodian.client.ts', out: 'src/generated/custodian-client.ts', name: 'custodianClientJs', label: 'custodian client' },
];

// The Node fast paths (hpke-fast.core.ts, digest.core.ts) import node:crypto and node:buffer and fall back to
// portable code when they are absent; in a browser bundle they are empty modules, so the fallback runs.
const nodeBuiltinsAbsent = {
  name: 'node-builtins-absent',
  setup(b) {
    b.onResolve({ filter: /^node:(crypto|buffer)$/ }, (args) => ({ path: args.path, namespace: 'absent' }));
    b.onLoad({ filter: /.*/, namespace: 'absent' }, () => ({ contents: 'export const Buffer = undefined; export default {};', loader: 'js' }));
  },
};

export async function buildBundle(entry) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    minify: true,
    write: false,
    legalComments: 'none',
    plugins: [nodeBuiltinsAbsent],
  });
  return result.outputFiles[0].text;
}

// The ballot-check page (/check): one self-contained HTML file, its script and style inline, so it
// works saved to disk (file://) and needs nothing after loading. Its policy (header and <meta>, the
// latter still in force in a saved copy) admits exactly that script and style by hash and no
// network at all.
export const checkPage = { entry: 'src/tally/client/check.client.ts', template: 'src/tally/client/check.html', style: 'src/tally/client/check.css', out: 'src/generated/check-page.ts' };

const cspHash = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The policy of the check page, given its inline script and style. */
export const checkPagePolicy = (script, style) =>
  [`default-src 'none'`, `script-src ${cspHash(script)}`, `style-src ${cspHash(style)}`, `img-src 'none'`, `connect-src 'none'`, `form-action 'none'`, `base-uri 'none'`, `object-src 'none'`].join('; ');

/** One self-contained page: its script and style inlined into the template, its policy admitting exactly them. */
async function buildSelfContainedPage(spec) {
  const script = (await buildBundle(spec.entry)).trimEnd();
  const style = readFileSync(spec.style, 'utf8').trimEnd();
  // esbuild escapes "</script" in strings; a stray one would end the inline script early
  if (/<\/script/i.test(script) || /<\/style/i.test(style)) throw new Error(`${spec.template}: inline code contains a closing tag`);
  const policy = checkPagePolicy(script, style);
  const fill = { CSP: policy, STYLE: style, SCRIPT: script };
  // a function replacer: the script's own "$&" or "$'" must not be read as replacement patterns
  const html = readFileSync(spec.template, 'utf8').replace(/\{\{(CSP|STYLE|SCRIPT)\}\}/g, (_, k) => fill[k]);
  return { html, policy };
}

export const buildCheckPage = () => buildSelfContainedPage(checkPage);

// The key ceremony page (/ceremony), built the same way: loaded, then the network cut; it reads the
// seats file, runs the ceremony in the page and saves the ceremony file (no request after loading).
export const ceremonyPage = { entry: 'src/tally/client/ceremony.client.ts', template: 'src/tally/client/ceremony.html', style: 'src/tally/client/ceremony.css', out: 'src/generated/ceremony-page.ts' };
export const buildCeremonyPage = () => buildSelfContainedPage(ceremonyPage);
