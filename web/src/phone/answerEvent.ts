/** Dispatched on window to answer the ringing call (the screen pop's Answer
 * button); the softphone listens for it. */
export const ANSWER_EVENT = "switchboard:answer";
