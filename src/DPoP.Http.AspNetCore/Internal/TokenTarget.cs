namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// Which of a session's access tokens: the sign-in's (no resource, no scope), or one obtained by refresh for a
/// resource (RFC 8707) and/or scope.
/// </summary>
internal readonly record struct TokenTarget(string? Resource, string? Scope)
{
    public static TokenTarget From(DPoPUserAccessTokenOptions? options) => options is null ? default : new(options.Resource, options.Scope);

    /// <summary>The key of its token in <see cref="UserSession.ResourceTokens"/>; null for the sign-in's token.</summary>
    public string? Key => Resource is null && Scope is null ? null : $"{Resource}\n{Scope}";

    /// <summary>The resources to ask for in its refresh.</summary>
    public IReadOnlyList<string> Resources => Resource is null ? [] : [Resource];

    /// <summary>Names no token.</summary>
    public override string ToString() => Key is null ? "sign-in token" : "resource token";
}
