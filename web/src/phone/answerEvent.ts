/** Dispatched on window to answer the ringing call (the screen pop's Answer
 * button); the softphone listens for it. */
export const ANSWER_EVENT = "switchboard:answer";

/** Dispatched on window with a number as `detail` to dial it on this
 * softphone (the Queues page's Listen, Whisper and Barge buttons). */
export const DIAL_EVENT = "switchboard:dial";
