"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { throttledSeconds, tooManyAttemptsMessage } from "~/lib/too-many-attempts";

const invalidCredentials = "Invalid email or password";
// Anything but a refused password: the server could not be asked, or failed while checking.
const serverTrouble = "Bailey could not check your password just now. Try again; if it keeps failing, the server log says why.";

interface Props {
  providers: { id: string; name: string }[];
  initialError?: string;
}

export function SignInForm({ providers, initialError }: Props) {
  const router = useRouter();
  const [error, setError] = useState(initialError);
  const [pending, setPending] = useState(false);
  // Until React has hydrated, a click would submit the form natively (a GET putting the password in
  // the URL, the browser history and access logs); the button stays disabled until onSubmit is wired.
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(undefined);
    const outcome = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    }).catch(() => undefined);
    setPending(false);
    if (outcome?.ok && !outcome.error) {
      router.replace("/runs");
      router.refresh();
      return;
    }
    const retryAfter = throttledSeconds(outcome?.error);
    setError(retryAfter !== undefined ? tooManyAttemptsMessage(retryAfter) : outcome?.error === "CredentialsSignin" ? invalidCredentials : serverTrouble);
  }

  return (
    <div className="mt-6 space-y-4">
      <form method="post" onSubmit={onSubmit} className="space-y-4" noValidate>
        <div className="space-y-1.5">
          <label htmlFor="email" className="text-sm font-medium">
            Email
          </label>
          <Input id="email" name="email" type="email" autoComplete="username" required autoFocus />
        </div>
        <div className="space-y-1.5">
          <label htmlFor="password" className="text-sm font-medium">
            Password
          </label>
          <Input id="password" name="password" type="password" autoComplete="current-password" required />
        </div>
        {error ? (
          <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300">
            {error}
          </p>
        ) : null}
        <Button type="submit" className="w-full" disabled={pending || !hydrated}>
          {pending ? "Signing in…" : "Sign in"}
        </Button>
      </form>
      {providers.map((provider) => (
        <Button key={provider.id} variant="secondary" className="w-full" onClick={() => void signIn(provider.id, { callbackUrl: "/runs" })}>
          Sign in with {provider.name}
        </Button>
      ))}
    </div>
  );
}
