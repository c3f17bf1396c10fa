namespace DPoP.Http.AspNetCore;

/// <summary>
/// Which of the signed-in user's access tokens a client sends, or <see cref="IDPoPUserAccessTokens"/> returns: by
/// default the one the sign-in got; with <see cref="Resource"/> (RFC 8707) or <see cref="Scope"/>, one obtained with
/// the session's refresh token for that resource and scope and kept in the session beside it.
/// </summary>
public sealed class DPoPUserAccessTokenOptions
{
    /// <summary>
    /// The resource indicator (an absolute URI, RFC 8707) to get the token for; null: the sign-in's token (or, with
    /// <see cref="Scope"/>, the provider's default resource). The provider must have granted it at sign-in (the
    /// authorization request's <c>resource</c>).
    /// </summary>
    public string? Resource { get; set; }

    /// <summary>The scope to ask for (space-separated; at most what the sign-in granted); null: what the provider gives by default.</summary>
    public string? Scope { get; set; }
}
