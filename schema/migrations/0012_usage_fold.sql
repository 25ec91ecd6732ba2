-- Usage fold (issue 23): the usage consumer writes only event rows; the day × key × model rollups,
-- the hourly prepaid charges and the balances are folded from the raw events at most once per
-- USAGE_FOLD_SECONDS, behind a watermark (src/usage/usage-fold.ts). `seq` is the last ingest number
-- given to a consumer write, `folded` the watermark, `pending_from` the earliest created_at written
-- since the last fold.
CREATE TABLE `usage_fold` (
	`id` integer PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`folded` integer NOT NULL,
	`pending_from` integer,
	`folded_at` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
-- Events already in D1 were counted when they were written (their ingest was a random mark), so the
-- watermark starts at or above every one of them. `npm run deploy` applies this just before the code
-- that uses it; a row the previous code writes in between carries its own counts and a random mark,
-- almost always below the watermark, else so far above it (marks are spread over 2^53, seq grows by
-- one per consumer write) that the fold's numbers reach it only long after the row has left D1.
INSERT INTO `usage_fold` (`id`, `seq`, `folded`, `pending_from`, `folded_at`)
SELECT 1, COALESCE(MAX(`ingest`), 0), COALESCE(MAX(`ingest`), 0), NULL, 0 FROM `usage_events`;
