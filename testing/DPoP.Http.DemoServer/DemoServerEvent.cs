namespace DPoP.Http.DemoServer;

/// <summary>One notable step of the <see cref="DemoServer"/>: a nonce challenge, an issued token, an accepted or a rejected request.</summary>
/// <param name="Kind">What happened: one of the constants of <see cref="DemoServerEventKinds"/>
/// (<c>nonce_challenge</c>, <c>token_issued</c>, <c>resource_ok</c>, <c>rejected</c>, <c>request_pushed</c>,
/// <c>code_issued</c>, <c>token_revoked</c>, <c>signed_out</c>).</param>
/// <param name="Endpoint">The request as <c>METHOD path</c>, for example <c>POST /connect/token</c> or <c>GET /api/orders</c>.</param>
/// <param name="StatusCode">The HTTP status code of the response.</param>
/// <param name="Detail">Why, in a few words: the failed rule (<c>htu mismatch</c>, <c>jti replay</c>, …) or what was granted.</param>
/// <param name="ProofClaims">
/// The proof's payload claims <c>jti</c>, <c>htm</c>, <c>htu</c>, <c>iat</c>, <c>ath</c> and <c>nonce</c> (those present),
/// as strings, when the request carried a proof whose payload parsed as JSON; otherwise null.
/// </param>
public sealed record DemoServerEvent(string Kind, string Endpoint, int StatusCode, string Detail, IReadOnlyDictionary<string, string>? ProofClaims);
