// Type-checked, never run: `tsc --noEmit --strict` against the installed package's .d.ts
// (scripts/test-package.sh). It uses every public function, class, method, option, reply field
// and error field, and the `@ts-expect-error` lines prove the types refuse what the API refuses
// (were anything `any`, those lines would be unused errors and tsc would fail).
import init, {
  CamsClient,
  createQrdl,
  initSync,
  isCamsError,
  type BaseResponse,
  type BatchOptions,
  type CamsError,
  type CamsErrorCode,
  type ClientConfig,
  type CreateQrdlRequest,
  type CreateQrdlResponse,
  type DeleteQrdlRequest,
  type DirectCredentials,
  type InitInput,
  type InitOutput,
  type ListQrdlResponse,
  type ListQrdlsRequest,
  type ProviderCredentials,
  type QrImageFormat,
  type Qrdl,
  type RelayCredentials,
  type Settled,
  type SyncInitInput,
  type TemporaryCredentials,
  type UpdateQrdlRequest,
} from 'cams-qrdl';
import initQr, { type QrOptions, renderQrSvg } from 'cams-qrdl/qr';
import initExport, { renderQrPdf, renderQrPng } from 'cams-qrdl/export';
import initSign, {
  signAcs3Request,
  signRpcRequest,
  type SignedAcs3Request,
  type SignedRequest,
  validateQrdlRequest,
} from 'cams-qrdl/tools';

// -- starting the module -----------------------------------------------------------------------

const wasmUrl: InitInput = new URL('cams_qrdl_bg.wasm', 'https://example.com/assets/');
const started: Promise<InitOutput> = init({ module_or_path: wasmUrl });
const memory: WebAssembly.Memory = (await started).memory;
void memory;
await init();
declare const bytes: ArrayBuffer;
const sync: SyncInitInput = bytes;
const output: InitOutput = initSync({ module: sync });
void output;

// -- configuration: the three credential sources and every option ------------------------------

const direct: DirectCredentials = {
  accessKeyId: 'demo-access-key-id',
  accessKeySecret: 'demo-access-key-secret',
  securityToken: 'CAIS...',
};
const relay: RelayCredentials = {
  stsRelayUrl: '/sts',
  headers: { Authorization: 'Bearer t' },
  credentials: 'same-origin',
};
const provider: ProviderCredentials = {
  provider: async (): Promise<TemporaryCredentials> => ({
    accessKeyId: 'STS.x',
    accessKeySecret: 's',
    securityToken: 't',
    expiration: '2030-01-01T00:00:00Z',
  }),
};
const config: ClientConfig = {
  credentials: relay,
  endpoint: '/cams',
  regionId: 'ap-southeast-1',
  maxQps: 5,
  maxRetries: 3,
  timeoutMs: 10_000,
};
const others: ClientConfig[] = [{ credentials: direct }, { credentials: provider }];
void others;

// @ts-expect-error: credentials are required
const noCredentials: ClientConfig = { endpoint: '/cams' };
// @ts-expect-error: credentials mode is one of three words
const badMode: RelayCredentials = { stsRelayUrl: '/sts', credentials: 'always' };
void noCredentials;
void badMode;

// -- requests ----------------------------------------------------------------------------------

const format: QrImageFormat = 'SVG';
const create: CreateQrdlRequest = {
  phoneNumber: '8613800001234',
  prefilledMessage: 'Hello',
  generateQrImage: format,
  custSpaceId: 'cs-1',
};
const update: UpdateQrdlRequest = { ...create, qrdlCode: 'ABC' };
const list: ListQrdlsRequest = { phoneNumber: '8613800001234', custSpaceId: 'cs-1' };
const remove: DeleteQrdlRequest = { phoneNumber: '8613800001234', qrdlCode: 'ABC', custSpaceId: 'cs-1' };

// @ts-expect-error: only PNG or SVG
const jpg: CreateQrdlRequest = { phoneNumber: '1', prefilledMessage: 'x', generateQrImage: 'JPG' };
// @ts-expect-error: the phone number is required
const noPhone: CreateQrdlRequest = { prefilledMessage: 'x', generateQrImage: 'PNG' };
void jpg;
void noPhone;

// -- replies -----------------------------------------------------------------------------------

function show(q: Qrdl): string {
  return [q.qrImageUrl, q.phoneNumber, q.qrdlCode, q.deepLinkUrl, q.generateQrImage, q.prefilledMessage].join(' ');
}

function base(r: BaseResponse): string {
  const message: string | undefined = r.message;
  const detail: string | undefined = r.accessDeniedDetail;
  return `${r.requestId} ${r.code} ${message ?? ''} ${detail ?? ''}`;
}

const one: CreateQrdlResponse = await createQrdl(create, config);
show(one.data);
base(one);

// -- errors: every field -----------------------------------------------------------------------

function describe(e: CamsError): string {
  const name: 'CamsError' = e.name;
  const code: CamsErrorCode = e.code;
  const status: number | undefined = e.httpStatus;
  const retryable: boolean = e.retryable;
  const optional: (string | undefined)[] = [e.requestId, e.recommend, e.accessDeniedDetail, e.field, e.relayCode];
  return `${name} ${code} ${e.message} ${status ?? ''} ${retryable} ${optional.join(' ')}`;
}

const known: CamsErrorCode[] = ['InvalidParameter', 'Throttling.User', 'CredentialsError', 'Some.FutureCode'];
void known;

try {
  await createQrdl(create, { credentials: direct });
} catch (e) {
  // The package's guard narrows `unknown` to the typed fields.
  if (isCamsError(e)) describe(e);
  // @ts-expect-error: not narrowed without the guard
  describe(e);
}
const guarded: boolean = isCamsError(new Error('x'));
void guarded;

// -- the client: every method ------------------------------------------------------------------

const client = new CamsClient(config);
const created: CreateQrdlResponse = await client.createQrdl(create);
const listed: ListQrdlResponse = await client.listQrdls(list);
listed.data.map(show);
const updated: CreateQrdlResponse = await client.updateQrdl(update);
const deleted: BaseResponse = await client.deleteQrdl(remove);
base(created);
base(updated);
base(deleted);

// @ts-expect-error: an update needs the code
await client.updateQrdl(create);

const controller = new AbortController();
const options: BatchOptions<CreateQrdlResponse> = {
  signal: controller.signal,
  onProgress: (done: number, total: number, index: number, result: Settled<CreateQrdlResponse>) => {
    if (result.ok) show(result.value.data);
    else describe(result.error);
    void [done, total, index];
  },
};
const batch: Settled<CreateQrdlResponse>[] = await client.createQrdls([create, create], options);
for (const r of batch) {
  if (r.ok) show(r.value.data);
  else describe(r.error);
}
const removedAll: Settled<BaseResponse>[] = await client.deleteQrdls([remove], {
  signal: controller.signal,
  onProgress: (_done, _total, _index, result) => (result.ok ? base(result.value) : describe(result.error)),
});
void removedAll;

client.free();
// `using` needs the esnext.disposable lib: example-disposable.ts.

// -- the signing tools and the local QR renderer ------------------------------------------------

await initSign();
const signed: SignedRequest = signRpcRequest('POST', { Action: 'CreatePhoneMessageQrdl' }, 'secret');
const parts: string[] = [signed.canonicalQuery, signed.stringToSign, signed.signature];
void parts;
// @ts-expect-error: GET or POST only
signRpcRequest('PUT', {}, 'secret');
// @ts-expect-error: parameters are strings
signRpcRequest('GET', { Version: 2020 }, 'secret');

const v3: SignedAcs3Request = signAcs3Request(
  {
    method: 'POST',
    headers: { host: 'cams.ap-southeast-1.aliyuncs.com', 'x-acs-action': 'CreatePhoneMessageQrdl' },
    query: { PhoneNumber: '8613800001234' },
  },
  'id',
  'secret',
);
const v3parts: string[] = [v3.canonicalRequest, v3.stringToSign, v3.authorization];
void v3parts;
// @ts-expect-error: headers are required
signAcs3Request({ method: 'POST' }, 'id', 'secret');

const problems: CamsError[] = validateQrdlRequest('create', { phoneNumber: '123' });
const firstField: string | undefined = problems[0]?.field;
void firstField;
// @ts-expect-error: one of the four actions
validateQrdlRequest('upsert', {});

await initQr();
const svg: string = renderQrSvg(one.data.deepLinkUrl);
void svg;
// @ts-expect-error: text only
renderQrSvg(42);

// -- styled codes and print exports (cams-qrdl/qr, cams-qrdl/export) ---------------------------

declare const logoBytes: Uint8Array;
const style: QrOptions = {
  ecLevel: 'Q',
  margin: 4,
  foreground: '#1b2a6b',
  background: '#fff8e7',
  logo: logoBytes,
  logoSize: 0.2,
  frameText: 'Scan to chat',
  moduleShape: 'rounded',
  sizePx: 1024,
  dpi: 300,
  sizeMm: 30,
};
const styled: string = renderQrSvg(one.data.deepLinkUrl, style);
void styled;
renderQrSvg('https://wa.me/message/X', { logo: 'data:image/png;base64,iVBORw0KGgo=', allowInverted: true, allowSmallMargin: false });
// @ts-expect-error: the four levels only
renderQrSvg('x', { ecLevel: 'X' });
// @ts-expect-error: unknown options are refused
renderQrSvg('x', { forground: '#000' });
await initExport();
const png: Uint8Array = renderQrPng(one.data.deepLinkUrl, style);
const pdf: Uint8Array = renderQrPdf(one.data.deepLinkUrl, { sizeMm: 40 });
void png;
void pdf;

export {};
