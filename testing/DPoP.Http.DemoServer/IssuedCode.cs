namespace DPoP.Http.DemoServer;

/// <summary>An authorization code: what it was issued for, and whether it has been redeemed (codes are single-use).</summary>
internal sealed class IssuedCode
{
    private int _redeemed;

    public IssuedCode(AuthorizationRequest request, DemoUser user, DateTimeOffset authTime, string grantId, DateTimeOffset expiresAt)
    {
        Request = request;
        User = user;
        AuthTime = authTime;
        GrantId = grantId;
        ExpiresAt = expiresAt;
    }

    public AuthorizationRequest Request { get; }

    public DemoUser User { get; }

    public DateTimeOffset AuthTime { get; }

    /// <summary>Names the grant: every refresh token that descends from this code carries it, so all can be revoked at once.</summary>
    public string GrantId { get; }

    public DateTimeOffset ExpiresAt { get; }

    /// <summary>Marks the code redeemed; false when it already was (a replayed code).</summary>
    public bool TryRedeem() => Interlocked.Exchange(ref _redeemed, 1) == 0;
}
