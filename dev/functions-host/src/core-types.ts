/**
 * The shapes of the `@azure/functions-core` module that the Azure Functions Node.js worker provides
 * at run time (its `types-core/index.d.ts`), limited to what `@azure/functions` v4 uses.
 * The RPC types mirror the host <-> worker protobuf messages as the worker hands them to the library.
 */

export type RpcLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';
export type RpcLogCategory = 'user' | 'system' | 'customMetric';

export interface RpcNullableString {
  value?: string | null;
}

export interface RpcHttpCookie {
  name?: string | null;
  value?: string | null;
  domain?: RpcNullableString | null;
  path?: RpcNullableString | null;
  expires?: { value?: { seconds?: number | null; nanos?: number | null } | null } | null;
  secure?: { value?: boolean | null } | null;
  httpOnly?: { value?: boolean | null } | null;
  sameSite?: 'none' | 'lax' | 'strict' | 'explicitNone' | null;
  maxAge?: { value?: number | null } | null;
}

export interface RpcHttpData {
  method?: string | null;
  url?: string | null;
  headers?: Record<string, string> | null;
  body?: RpcTypedData | null;
  params?: Record<string, string> | null;
  statusCode?: string | null;
  query?: Record<string, string> | null;
  enableContentNegotiation?: boolean | null;
  rawBody?: RpcTypedData | null;
  cookies?: RpcHttpCookie[] | null;
  nullableHeaders?: Record<string, RpcNullableString> | null;
  nullableParams?: Record<string, RpcNullableString> | null;
  nullableQuery?: Record<string, RpcNullableString> | null;
}

export interface RpcTypedData {
  string?: string | null;
  json?: string | null;
  bytes?: Uint8Array | null;
  stream?: Uint8Array | null;
  http?: RpcHttpData | null;
  int?: number | null;
  double?: number | null;
  collectionBytes?: { bytes?: Uint8Array[] | null } | null;
  collectionString?: { string?: string[] | null } | null;
  collectionDouble?: { double?: number[] | null } | null;
  collectionSint64?: { sint64?: number[] | null } | null;
}

export interface RpcParameterBinding {
  name?: string | null;
  data?: RpcTypedData | null;
}

export interface RpcBindingInfo {
  type?: string | null;
  direction?: 'in' | 'out' | 'inout' | null;
  dataType?: 'undefined' | 'string' | 'binary' | 'stream' | null;
  /** Every other option of the binding (`route`, `queueName`, `schedule`, ...), as registered. */
  [option: string]: unknown;
}

export interface RpcDuration {
  seconds?: number | null;
  nanos?: number | null;
}

export interface RpcRetryOptions {
  maxRetryCount?: number | null;
  delayInterval?: RpcDuration | null;
  minimumInterval?: RpcDuration | null;
  maximumInterval?: RpcDuration | null;
  retryStrategy?: 'exponentialBackoff' | 'fixedDelay' | null;
}

export interface FunctionMetadata {
  name: string;
  functionId?: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: RpcRetryOptions;
}

export interface RpcFunctionMetadata {
  name?: string | null;
  directory?: string | null;
  scriptFile?: string | null;
  bindings?: Record<string, RpcBindingInfo> | null;
  functionId?: string | null;
  retryOptions?: RpcRetryOptions | null;
}

export interface RpcTraceContext {
  traceParent?: string | null;
  traceState?: string | null;
  attributes?: Record<string, string> | null;
}

export interface RpcInvocationRequest {
  invocationId?: string | null;
  functionId?: string | null;
  inputData?: RpcParameterBinding[] | null;
  triggerMetadata?: Record<string, RpcTypedData> | null;
  traceContext?: RpcTraceContext | null;
  retryContext?: { retryCount?: number | null; maxRetryCount?: number | null } | null;
}

export interface RpcInvocationResponse {
  invocationId?: string | null;
  outputData?: RpcParameterBinding[] | null;
  returnValue?: RpcTypedData | null;
}

export type InvocationState = 'preInvocationHooks' | 'postInvocationHooks' | 'invocation';

export interface CoreInvocationContext {
  invocationId: string;
  request: RpcInvocationRequest;
  metadata: RpcFunctionMetadata;
  state?: InvocationState;
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;
}

export interface InvocationArguments {
  context: unknown;
  inputs: unknown[];
}

export interface InvocationModel {
  getArguments(): Promise<InvocationArguments>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

export type WorkerCapabilities = Record<string, string>;

export interface ProgrammingModel {
  name: string;
  version: string;
  getInvocationModel(coreContext: CoreInvocationContext): InvocationModel | Promise<InvocationModel>;
  getCapabilities?(defaultCapabilities: WorkerCapabilities): WorkerCapabilities | Promise<WorkerCapabilities>;
}

export type FunctionCallback = (...args: unknown[]) => unknown;

export type HookData = Record<string, unknown>;

export interface HookContext {
  readonly hookData: HookData;
  readonly appHookData: HookData;
}

export type HookCallback = (context: never) => void | Promise<void>;

export interface PreInvocationContext extends HookContext {
  readonly invocationContext: unknown;
  inputs: unknown[];
  functionCallback: FunctionCallback;
}

export interface PostInvocationContext extends HookContext {
  readonly invocationContext: unknown;
  inputs: unknown[];
  result: unknown;
  error: unknown;
}

export interface AppStartContext extends HookContext {
  functionAppDirectory: string;
}

export interface LogHookContext extends HookContext {
  readonly invocationContext: unknown;
  readonly category: RpcLogCategory;
  level: RpcLogLevel;
  message: string;
}

export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';
