// htmx is bundled as text into the Worker (wrangler.toml [[rules]] type = "Text").
declare module 'htmx.org/dist/htmx.min.js' {
  const source: string;
  export default source;
}

declare module '*.wasm' {
  const module: WebAssembly.Module;
  export default module;
}
