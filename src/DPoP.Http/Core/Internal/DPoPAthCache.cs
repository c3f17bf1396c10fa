namespace DPoP.Http.Internal;

/// <summary>
/// Remembers the <c>ath</c> of the access tokens lately sent: a caller sends the same token for minutes, so hashing
/// it once instead of on every proof saves a SHA-256 of hundreds of bytes per request. <see cref="Capacity"/> slots,
/// each picked by the token's length and last characters and holding one immutable (token, ath) pair that is swapped
/// atomically: a hit allocates nothing, a token never gets another token's ath (the whole token string is compared),
/// and however many tokens pass through, at most <see cref="Capacity"/> of them are kept.
/// </summary>
/// <remarks>
/// <see cref="Shared"/> serves <see cref="DPoPProof"/>; the handler keeps one instance per client name. Callers
/// validate a token (visible ASCII) before they ask for its ath.
/// </remarks>
internal sealed class DPoPAthCache
{
    /// <summary>How many tokens one cache keeps at most.</summary>
    public const int Capacity = 1 << CapacityBits;

    private const int CapacityBits = 4;

    /// <summary>Characters from the end of the token that pick its slot.</summary>
    private const int TailLength = 8;

    private readonly Entry?[] _slots = new Entry?[Capacity];

    /// <summary>The cache behind <see cref="DPoPProof.Create(DPoPKey, string, string, string?, string?)"/> and its overloads.</summary>
    public static DPoPAthCache Shared { get; } = new();

    /// <summary>Computes the ath of <paramref name="accessToken"/>: base64url(SHA-256(ASCII(token))), uncached.</summary>
    public static string Compute(string accessToken) =>
        string.Create(DPoPProofWriter.AthCharCount, accessToken, static (chars, token) => DPoPProofWriter.WriteAth(token, chars));

    /// <summary>The ath of a validated <paramref name="accessToken"/>, from the cache or computed and kept.</summary>
    public string GetAth(string accessToken)
    {
        ref var slot = ref _slots[SlotOf(accessToken)];
        var entry = Volatile.Read(ref slot);
        if (entry is not null && (ReferenceEquals(entry.Token, accessToken) || string.Equals(entry.Token, accessToken, StringComparison.Ordinal)))
        {
            return entry.Ath;
        }

        var ath = Compute(accessToken);
        Volatile.Write(ref slot, new Entry(accessToken, ath));
        return ath;
    }

    /// <summary>
    /// A JWT's first characters are the same for every token of an issuer and its last are its signature; opaque
    /// tokens are random throughout: the length and the tail tell tokens apart without reading all of them. Two tokens
    /// on one slot only cost a hash each time they alternate, never a wrong ath.
    /// </summary>
    private static int SlotOf(string token)
    {
        var hash = (ulong)token.Length;
        foreach (var c in token.AsSpan(Math.Max(0, token.Length - TailLength)))
        {
            hash = (hash * 31) + c;
        }

        // Fibonacci hashing: the top bits of the product spread neighbouring values over all slots.
        return (int)((hash * 0x9E3779B97F4A7C15UL) >> (64 - CapacityBits));
    }

    private sealed record Entry(string Token, string Ath)
    {
        // Never print the token.
        public override string ToString() => nameof(DPoPAthCache);
    }
}
