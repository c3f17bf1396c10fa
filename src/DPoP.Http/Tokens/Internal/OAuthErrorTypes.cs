using System.Collections.Frozen;
using System.Globalization;

namespace DPoP.Http.Internal;

/// <summary>
/// The bounded <c>error.type</c> vocabulary of token failures: a registered OAuth error code as it is, any other word a
/// server sends as <c>_OTHER</c> (a server must not choose metric tag values), the HTTP status when it sent no code.
/// DPoP.Http.AspNetCore uses this very class (DPoP.Http's internals are visible to it), so both packages speak one
/// vocabulary.
/// </summary>
internal static class OAuthErrorTypes
{
    /// <summary>The <c>error.type</c> of an error code no RFC registers.</summary>
    public const string Other = "_OTHER";

    private static readonly FrozenSet<string> Registered = FrozenSet.Create(
        StringComparer.Ordinal,
        // RFC 6749 §5.2, RFC 8693 §2.2.2, RFC 8707 §2, RFC 9449 §5 and §8, RFC 7009 §2.2.1, RFC 8628 §3.5; then ours.
        "invalid_request", "invalid_client", "invalid_grant", "unauthorized_client", "unsupported_grant_type", "invalid_scope",
        "invalid_target", "invalid_dpop_proof", "use_dpop_nonce", "unsupported_token_type", "invalid_token", "access_denied",
        "server_error", "temporarily_unavailable", "authorization_pending", "slow_down", "expired_token",
        "invalid_token_response", "unexpected_token_type");

    /// <summary><paramref name="error"/> when it is a registered code, else <see cref="Other"/>.</summary>
    public static string OfCode(string error) => Registered.Contains(error) ? error : Other;

    /// <summary>
    /// A token failure's <c>error.type</c>: its error code (bounded by <see cref="OfCode"/>), else its HTTP status, else
    /// null (no answer from the server: the caller names the transport failure).
    /// </summary>
    public static string? Of(DPoPTokenException exception) => exception switch
    {
        { Error: { } error } => OfCode(error),
        { StatusCode: { } status } => ((int)status).ToString(CultureInfo.InvariantCulture),
        _ => null,
    };
}
