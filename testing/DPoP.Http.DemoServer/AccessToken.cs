namespace DPoP.Http.DemoServer;

/// <summary>What the resource server learns from a valid access token.</summary>
/// <param name="ClientId">The client the token was issued to.</param>
/// <param name="Scope">The granted scope, or null.</param>
/// <param name="BoundThumbprint">The <c>cnf.jkt</c> the token is bound to, or null for an unbound (Bearer) token.</param>
/// <param name="Subject">The <c>sub</c>: the signed-in user for code-flow tokens, the client for client-credentials tokens.</param>
/// <param name="Jti">The token's <c>jti</c>, by which it can be revoked.</param>
/// <param name="ExpiresAt">The token's <c>exp</c>.</param>
internal sealed record AccessToken(string ClientId, string? Scope, string? BoundThumbprint, string Subject, string Jti, DateTimeOffset ExpiresAt);
