/** The host cannot start; keeps what it was starting (a function's binding, a queue, the port). */
export class HostStartError extends Error {
  override readonly name = 'HostStartError';
  /** What needed the failing resource, e.g. `Function "processCustomer"`. */
  readonly usedBy?: string;
  readonly queueName?: string;
  readonly port?: number;
  constructor(
    message: string,
    context: { usedBy?: string; queueName?: string; port?: number },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.usedBy = context.usedBy;
    this.queueName = context.queueName;
    this.port = context.port;
  }
}
