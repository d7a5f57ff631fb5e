/**
 * The JSON API client shared by rehearse, bench and the tests' helpers: one place that encodes a
 * body, adds the bearer token and reads the answer (json is undefined when the body is not JSON).
 * The transport is fetch against a server, or app.request() in the tests.
 */
export type Transport = (url: string, init: RequestInit) => Response | Promise<Response>;

export interface ApiResponse {
  status: number;
  json: any;
  text: string;
}

export interface ApiCall {
  method?: string;
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

export function apiClient(base: string, transport: Transport = (url, init) => fetch(url, init)) {
  return async function call(path: string, opts: ApiCall = {}): Promise<ApiResponse> {
    const { body, token } = opts;
    const res = await transport(`${base}${path}`, {
      method: opts.method ?? (body === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...opts.headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text };
  };
}

export type ApiClient = ReturnType<typeof apiClient>;
