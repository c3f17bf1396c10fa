namespace DPoP.Http.DemoServer;

/// <summary>Why an authorization request was refused, and where the refusal may be sent.</summary>
/// <param name="Error">The OAuth error code (RFC 6749 §4.1.2.1).</param>
/// <param name="Description">The failed rule, safe to show.</param>
/// <param name="RedirectUri">
/// The verified redirect URI to send the error to, or null when the client or the redirect URI cannot be trusted:
/// then the user sees the error and is not redirected (RFC 6749 §4.1.2.1).
/// </param>
/// <param name="ResponseMode">How to send it to <paramref name="RedirectUri"/>.</param>
/// <param name="State">The request's state, echoed.</param>
internal sealed record AuthorizationRequestError(string Error, string Description, string? RedirectUri, string ResponseMode, string? State);
