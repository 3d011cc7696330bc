// The console's local API (same origin; the HttpOnly cookie set at login goes with each call).
// Writes are JSON: the console refuses anything else, and signs them with the member's key.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function answer(response: Response): Promise<any> {
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = body && body.error ? body.error : { code: "Error", message: response.statusText };
    throw new ApiError(response.status, error.code, error.message);
  }
  return body;
}

export async function get(path: string): Promise<any> {
  return answer(await fetch(`/api/${path}`, { credentials: "same-origin" }));
}

export async function post(path: string, body: unknown): Promise<any> {
  return answer(
    await fetch(`/api/${path}`, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }),
  );
}
