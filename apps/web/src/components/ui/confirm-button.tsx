"use client";

import { useRef, type ReactNode } from "react";
import { Button, type ButtonVariant } from "./button";

/** A button that asks first, in a modal dialog (Escape cancels, focus stays inside); the confirm button is red (destructive). */
export function ConfirmButton({
  label,
  title,
  children,
  confirmLabel,
  onConfirm,
  disabled,
  variant = "secondary",
}: {
  label: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
  variant?: ButtonVariant;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  return (
    <>
      <Button variant={variant} disabled={disabled} onClick={() => dialog.current?.showModal()}>
        {label}
      </Button>
      <dialog
        ref={dialog}
        aria-label={title}
        className="m-auto w-full max-w-md rounded-lg border border-zinc-200 bg-white p-6 text-zinc-900 backdrop:bg-black/40 dark:border-zinc-800 dark:bg-zinc-950 dark:text-zinc-100"
      >
        <h2 className="text-lg font-semibold">{title}</h2>
        <div className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">{children}</div>
        <form method="dialog" className="mt-6 flex justify-end gap-2">
          <Button variant="secondary" value="cancel" autoFocus>
            Cancel
          </Button>
          <Button value="confirm" variant="destructive" onClick={() => onConfirm()}>
            {confirmLabel}
          </Button>
        </form>
      </dialog>
    </>
  );
}
