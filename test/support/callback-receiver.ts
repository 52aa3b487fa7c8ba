export { newCallbackSecret, startCallbackReceiver } from '../../dev/local-stack/callback-receiver';
export type { CallbackReceiver, ReceivedEvent, Answer } from '../../dev/local-stack/callback-receiver';
