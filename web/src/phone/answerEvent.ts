/** Dispatched on window to answer the ringing call (the screen pop's Answer
 * button); the softphone listens for it. */
export const ANSWER_EVENT = "switchboard:answer";

/** Dispatched on window when the server offers this agent a campaign's call
 * (the screen pop comes just before the phone rings): the softphone answers
 * the call ringing now, or the next one to arrive within
 * AUTO_ANSWER_WINDOW_MS. A campaign call no agent takes within seconds of
 * the called person answering is abandoned, so no one waits for a click. */
export const AUTO_ANSWER_EVENT = "switchboard:auto-answer";

/** How long after the pop the next incoming call is still answered by itself. */
export const AUTO_ANSWER_WINDOW_MS = 5000;

/** Dispatched on window with a number as `detail` to dial it on this
 * softphone (the Queues page's Listen, Whisper and Barge buttons). */
export const DIAL_EVENT = "switchboard:dial";
