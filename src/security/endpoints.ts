// Which endpoints a request with credentials may go to: https (or wss) anywhere, plain http (ws) only to this machine,
// for local test servers. Judged when the config is read (so a refused endpoint stops a command before anything is
// written) and again when a venue's HTTP client is made (endpoints that come with credentials, such as SX_RPC_URL).

/** 127.0.0.0/8, ::1 and localhost: the only hosts a plain (unencrypted) request may go to. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host === '::1') return true;
  const octets = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return octets !== null && Number(octets[1]) === 127 && octets.slice(2).every((octet) => Number(octet) <= 255);
}

export type EndpointVerdict =
  | { readonly ok: true; readonly host: string; readonly plain: boolean }
  | { readonly ok: false; readonly refusal: string };

/**
 * Judges an endpoint: ok over `secure` (https: or wss:), ok but plain over http (ws) to a loopback address, refused
 * otherwise (another scheme, plain to any other host, credentials written into the URL, or text that is no URL). The
 * refusal says why and what to use instead; it never quotes the URL's user name or password.
 */
export function judgeEndpoint(text: string, secure: 'https:' | 'wss:' = 'https:'): EndpointVerdict {
  const plain = secure === 'https:' ? 'http:' : 'ws:';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, refusal: 'not a URL' };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, refusal: 'carries a user name or password in the URL: credentials belong in the environment or the credentials file' };
  }
  if (url.protocol === secure) return { ok: true, host: url.host, plain: false };
  if (url.protocol === plain) {
    if (isLoopbackHost(url.hostname)) return { ok: true, host: url.host, plain: true };
    return { ok: false, refusal: `${plain}// is allowed only to a loopback address (localhost, 127.0.0.0/8, ::1); use ${secure}// for ${url.host}` };
  }
  return { ok: false, refusal: `${url.protocol}// is not allowed: live venues are reached over ${secure}// only` };
}
