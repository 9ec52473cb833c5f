"use client";

import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "~/components/ui/button";
import { Field } from "~/components/ui/field";
import { Input } from "~/components/ui/input";
import { errorMessage, fieldErrorsOf } from "~/lib/trpc-errors";
import { useTRPC } from "~/trpc/client";

/** Signed in: join with one click. Otherwise: make an account and join, then sign in. */
export function AcceptInvite({ token, signedInAs }: { token: string; signedInAs: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const accept = useMutation(trpc.invites.accept.mutationOptions({ onSuccess: () => router.push("/runs") }));
  const register = useMutation(trpc.invites.register.mutationOptions());
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});

  if (signedInAs) {
    return (
      <div className="mt-6 space-y-3">
        <p className="text-sm">Signed in as {signedInAs}.</p>
        {accept.error ? (
          <p role="alert" className="text-sm text-red-600">
            {errorMessage(accept.error)}
          </p>
        ) : null}
        <Button className="w-full" onClick={() => accept.mutate({ token })} disabled={accept.isPending}>
          Join the team
        </Button>
      </div>
    );
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    setErrors({});
    try {
      await register.mutateAsync({ token, email, password, ...(name.trim() ? { name } : {}) });
    } catch (error) {
      const fields = fieldErrorsOf(error);
      return setErrors(Object.keys(fields).length ? fields : { form: errorMessage(error) });
    }
    const outcome = await signIn("credentials", { email, password, redirect: false });
    if (outcome?.ok) router.push("/runs");
    else setErrors({ form: "Your account was made, but signing in failed; sign in on the sign-in page." });
  }

  return (
    <form onSubmit={submit} className="mt-6 space-y-4" noValidate>
      <Field label="Email" htmlFor="invite-email" error={errors.email}>
        <Input id="invite-email" type="email" autoComplete="email" value={email} onChange={(event) => setEmail(event.target.value)} />
      </Field>
      <Field label="Name" htmlFor="invite-name">
        <Input id="invite-name" autoComplete="name" value={name} onChange={(event) => setName(event.target.value)} />
      </Field>
      <Field label="Password" htmlFor="invite-password" error={errors.password} hint="At least 8 characters.">
        <Input id="invite-password" type="password" autoComplete="new-password" value={password} onChange={(event) => setPassword(event.target.value)} />
      </Field>
      {errors.form ? (
        <p role="alert" className="text-sm text-red-600">
          {errors.form}
        </p>
      ) : null}
      <Button type="submit" className="w-full" disabled={register.isPending}>
        Create account and join
      </Button>
      <p className="text-xs text-zinc-500">
        Already have an account?{" "}
        <a className="underline" href={`/signin?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`}>
          Sign in
        </a>{" "}
        first, then open this link again.
      </p>
    </form>
  );
}
