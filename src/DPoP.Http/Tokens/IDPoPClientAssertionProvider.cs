namespace DPoP.Http;

/// <summary>
/// Produces the <c>client_assertion</c> (RFC 7523 §2.2, a JWT bearer assertion) with which a client authenticates at
/// the token endpoint with <see cref="DPoPClientAuthenticationMethod.PrivateKeyJwt"/>: implement it to sign with a key
/// that cannot leave its store (a key vault, an HSM). Register it for a client with
/// <c>AddDPoPClientAssertionProvider&lt;T&gt;()</c>, or pass it to the <see cref="DPoPTokenClient"/> constructor.
/// </summary>
/// <remarks>
/// It is called afresh for every token request, including the request sent again after a <c>use_dpop_nonce</c>
/// challenge, because servers reject a replayed assertion <c>jti</c>: return a new assertion each time, never a cached
/// one. It may be called from many threads at once.
/// </remarks>
public interface IDPoPClientAssertionProvider
{
    /// <summary>Creates a new signed client assertion for one token request.</summary>
    /// <param name="context">The client, the audience the assertion is for, the token endpoint and the grant.</param>
    /// <param name="cancellationToken">Cancels the token request.</param>
    /// <returns>The assertion in JWS compact serialisation, sent as <c>client_assertion</c> with type <c>urn:ietf:params:oauth:client-assertion-type:jwt-bearer</c>.</returns>
    ValueTask<string> CreateAssertionAsync(DPoPClientAssertionContext context, CancellationToken cancellationToken);
}
