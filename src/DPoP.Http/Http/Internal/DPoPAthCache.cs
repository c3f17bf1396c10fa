namespace DPoP.Http.Internal;

/// <summary>
/// Remembers the <c>ath</c> of the last access token a client sent: a client sends the same token for minutes, so
/// hashing it once instead of on every request saves a SHA-256 and a string per request. One entry, swapped
/// atomically; the token itself stays only as long as the client uses it.
/// </summary>
internal sealed class DPoPAthCache
{
    private Entry? _last;

    public string GetAth(string accessToken)
    {
        var last = Volatile.Read(ref _last);
        if (last is not null && (ReferenceEquals(last.Token, accessToken) || string.Equals(last.Token, accessToken, StringComparison.Ordinal)))
        {
            return last.Ath;
        }

        var ath = string.Create(DPoPProofWriter.AthCharCount, accessToken, static (chars, token) => DPoPProofWriter.WriteAth(token, chars));
        Volatile.Write(ref _last, new Entry(accessToken, ath));
        return ath;
    }

    private sealed record Entry(string Token, string Ath)
    {
        // Never print the token.
        public override string ToString() => nameof(DPoPAthCache);
    }
}
