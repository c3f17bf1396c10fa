namespace DPoP.Http.InteropTests.Support;

/// <summary>
/// One request as it went on the wire, after the DPoP handler (retries and redirect hops each appear), with what its
/// proof carried and how the server answered.
/// </summary>
/// <param name="Method">The request method.</param>
/// <param name="Uri">The request URI.</param>
/// <param name="DPoPHeaderCount">How many DPoP headers the request had (RFC 9449 §4.3: exactly one).</param>
/// <param name="Proof">The proof's decoded header and payload, when there was exactly one.</param>
/// <param name="Status">The response status code.</param>
/// <param name="Error">The OAuth error: the JSON body's <c>error</c> for a 400, the <c>WWW-Authenticate</c> challenge's for a 401.</param>
/// <param name="ErrorDescription">The error's description, for failure messages.</param>
/// <param name="AccessToken">The token of an <c>Authorization: DPoP</c> header (never printed).</param>
internal sealed record Exchange(string Method, Uri Uri, int DPoPHeaderCount, ProofContents? Proof, int Status, string? Error, string? ErrorDescription, string? AccessToken)
{
    public override string ToString() =>
        $"{Method} {Uri.AbsolutePath} -> {Status}{(Error is null ? string.Empty : $" {Error} ({ErrorDescription})")}, proof nonce: {(Proof?.Nonce is null ? "no" : "yes")}";
}
