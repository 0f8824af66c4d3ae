CREATE TABLE "signing_keys" (
	"kid" text PRIMARY KEY NOT NULL,
	"algorithm" text NOT NULL,
	"public_jwk" text NOT NULL,
	"encrypted_private_key" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"retired_at" timestamp (3) with time zone,
	"publish_until" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE INDEX "signing_keys_created_idx" ON "signing_keys" USING btree ("created_at");