export function Logo() {
  return (
    <svg className="logo" viewBox="0 0 32 32" width="28" height="28" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="8" fill="currentColor" />
      <path d="M9 26V13l7-5 7 5v13h-5v-7h-4v7z" fill="#fff" />
    </svg>
  );
}
