namespace DPoP.Http.DemoServer;

/// <summary>The values of <see cref="DemoServerEvent.Kind"/>.</summary>
public static class DemoServerEventKinds
{
    /// <summary>The server refused a proof for lack of a valid nonce and sent a fresh one (RFC 9449 §8, §9).</summary>
    public const string NonceChallenge = "nonce_challenge";

    /// <summary>The token endpoint issued an access token.</summary>
    public const string TokenIssued = "token_issued";

    /// <summary>The resource server accepted a request.</summary>
    public const string ResourceOk = "resource_ok";

    /// <summary>The server refused a request for any reason other than a nonce challenge.</summary>
    public const string Rejected = "rejected";

    /// <summary>The authorization endpoint accepted a pushed authorization request (RFC 9126) and issued a <c>request_uri</c>.</summary>
    public const string RequestPushed = "request_pushed";

    /// <summary>A user signed in and the authorization endpoint issued a code.</summary>
    public const string CodeIssued = "code_issued";

    /// <summary>The revocation endpoint revoked a refresh token (and its grant) or an access token.</summary>
    public const string TokenRevoked = "token_revoked";

    /// <summary>The end-session endpoint signed a user out.</summary>
    public const string SignedOut = "signed_out";
}
