/**
 * The outbox as other domains and the organisers' page use it: queue a message for a
 * suggestion's author (in the caller's batch, so the message exists exactly when the change
 * does) and list what was queued. The statements live in outbox.repo.ts.
 */
export { enqueueForAuthor, listOutbox } from './outbox.repo';
