-- Prepaid reservations moved out of D1 into one AccountBalance Durable Object per account (issue 23):
-- D1 keeps only settled money. Reservations still open here are returned, which keeps each balance
-- the sum of its ledger; the usage consumer charges their requests as before.
UPDATE `accounts` SET `balance_micros` = `balance_micros` - (
	SELECT SUM(`amount_micros`) FROM `ledger` WHERE `ledger`.`account_id` = `accounts`.`id` AND `ledger`.`kind` IN ('hold', 'release'))
WHERE EXISTS (SELECT 1 FROM `ledger` WHERE `ledger`.`account_id` = `accounts`.`id` AND `ledger`.`kind` IN ('hold', 'release'));
--> statement-breakpoint
DELETE FROM `ledger` WHERE `kind` IN ('hold', 'release');
