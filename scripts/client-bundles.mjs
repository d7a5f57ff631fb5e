// The device bundles and the one way they are built, shared by scripts/build-client.mjs and the test
// that rebuilds them and compares with what the server serves (the hashes /c/{code}/keys publishes).
// esbuild with these options is deterministic: same source and versions, same bytes.
import { build } from 'esbuild';

export const bundles = [
  { entry: 'src/hearing/client/ballot.client.ts', out: 'src/generated/ballot-client.ts', name: 'ballotClientJs', label: 'ballot client' },
  { entry: 'src/survey/client/survey.client.ts', out: 'src/generated/survey-client.ts', name: 'surveyClientJs', label: 'survey client' },
];

export async function buildBundle(entry) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    target: 'es2020',
    minify: true,
    write: false,
    legalComments: 'none',
  });
  return result.outputFiles[0].text;
}
