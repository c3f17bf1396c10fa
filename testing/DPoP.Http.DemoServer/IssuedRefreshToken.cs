namespace DPoP.Http.DemoServer;

/// <summary>A refresh token: its grant, its key binding, and whether it has been used (rotation makes each single-use).</summary>
internal sealed class IssuedRefreshToken
{
    private int _used;

    public IssuedRefreshToken(string clientId, DemoUser user, string? scope, string? boundThumbprint, string grantId, DateTimeOffset authTime, DateTimeOffset expiresAt)
    {
        ClientId = clientId;
        User = user;
        Scope = scope;
        BoundThumbprint = boundThumbprint;
        GrantId = grantId;
        AuthTime = authTime;
        ExpiresAt = expiresAt;
    }

    public string ClientId { get; }

    public DemoUser User { get; }

    public string? Scope { get; }

    /// <summary>The <c>jkt</c> of the key whose proof obtained it (RFC 9449 §5), or null for an unbound token.</summary>
    public string? BoundThumbprint { get; }

    public string GrantId { get; }

    public DateTimeOffset AuthTime { get; }

    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Marks the token used; false when it already was (a replay of a rotated token).</summary>
    public bool TryUse() => Interlocked.Exchange(ref _used, 1) == 0;
}
