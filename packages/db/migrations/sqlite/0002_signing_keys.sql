CREATE TABLE `signing_keys` (
	`kid` text PRIMARY KEY NOT NULL,
	`algorithm` text NOT NULL,
	`public_jwk` text NOT NULL,
	`encrypted_private_key` text NOT NULL,
	`created_at` integer NOT NULL,
	`retired_at` integer,
	`publish_until` integer
);
--> statement-breakpoint
CREATE INDEX `signing_keys_created_idx` ON `signing_keys` (`created_at`);