/** Suggested client statuses; the server accepts any text, so these only help typing. */
export const STATUS_SUGGESTIONS = ["lead", "prospect", "active", "inactive", "lost"];
export const ADDRESS_KINDS = ["legal", "postal", "delivery", "other"] as const;
