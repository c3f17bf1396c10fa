namespace DPoP.Http.Internal;

/// <summary>
/// A token endpoint client the library registers itself (never one the app calls <c>AddDPoP()</c> on): the pipeline
/// filter adds its DPoP handler innermost, and this says which key it signs with and whose name it reports under.
/// </summary>
/// <param name="ApiClientName">
/// The API client whose key and options it signs with and whose name it reports as <c>dpop.client</c>
/// (<c>AddDPoPClientCredentialsToken()</c>, token exchange); null for a scheme's own client.
/// </param>
/// <param name="Scheme">
/// The OpenID Connect scheme whose sessions it serves (code exchange, refresh, revocation): it signs with the key each
/// request carries (<see cref="DPoPRequestKey"/>) and reports as <c>dpop.scheme</c>; null for an API client's.
/// </param>
internal sealed record DPoPTokenEndpointClient(string? ApiClientName, string? Scheme);
