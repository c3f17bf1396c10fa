namespace DPoP.Http.InteropTests.Support;

/// <summary>A clock stopped at one instant, for proofs with an <c>iat</c> out of the servers' window.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
