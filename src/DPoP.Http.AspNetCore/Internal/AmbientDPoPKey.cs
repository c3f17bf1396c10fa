namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// The key the scheme's token endpoint client signs with for the current call (code exchange, refresh,
/// revocation): each session has its own, so the key travels with the async flow rather than with the client.
/// </summary>
internal static class AmbientDPoPKey
{
    private static readonly AsyncLocal<DPoPKey?> Current = new();

    public static DPoPKey? Key => Current.Value;

    /// <summary>Makes <paramref name="key"/> the token client's key until the returned scope is disposed.</summary>
    public static Scope Use(DPoPKey key)
    {
        var previous = Current.Value;
        Current.Value = key;
        return new Scope(previous);
    }

    public readonly struct Scope(DPoPKey? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}

/// <summary>The token endpoint client's key provider: the key of the session being signed in or refreshed.</summary>
internal sealed class AmbientDPoPKeyProvider : IDPoPKeyProvider
{
    public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AmbientDPoPKey.Key
            ?? throw new InvalidOperationException($"The DPoP token client '{keyName}' is internal to DPoP.Http.AspNetCore and signs only for a session's code exchange, refresh or revocation."));
}
