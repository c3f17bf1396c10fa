namespace DPoP.Http;

/// <summary>
/// A token exchange request (RFC 8693 §2.1): a subject token, and optionally an actor token, to be exchanged for a
/// DPoP-bound token for another audience, with <see cref="DPoPTokenClient.ExchangeTokenAsync"/>.
/// </summary>
public sealed class DPoPTokenExchangeRequest
{
    /// <summary>The token type URN of an OAuth access token (RFC 8693 §3), the usual subject token type.</summary>
    public const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";

    /// <summary>The token that represents the party on whose behalf the request is made. Required; never logged.</summary>
    public string? SubjectToken { get; set; }

    /// <summary>The type of <see cref="SubjectToken"/>, a URN; <see cref="AccessTokenType"/> by default.</summary>
    public string SubjectTokenType { get; set; } = AccessTokenType;

    /// <summary>A token that represents the acting party (delegation, RFC 8693 §1.1); null for none.</summary>
    public string? ActorToken { get; set; }

    /// <summary>The type of <see cref="ActorToken"/>, a URN; required with an actor token.</summary>
    public string? ActorTokenType { get; set; }

    /// <summary>The type of token wanted (<c>requested_token_type</c>); null to let the server choose.</summary>
    public string? RequestedTokenType { get; set; }

    /// <summary>The <c>audience</c>: the logical name of the target service; null for none.</summary>
    public string? Audience { get; set; }

    /// <summary>Resource indicators of the target service: one <c>resource</c> parameter each.</summary>
    public IList<string> Resources { get; } = [];

    /// <summary>The <c>scope</c> wanted, space-separated; null for none.</summary>
    public string? Scope { get; set; }

    /// <summary>Extra form parameters for this request, after (and overriding) <see cref="DPoPTokenClientOptions.Parameters"/>; reserved names are refused.</summary>
    public IDictionary<string, string> Parameters { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
