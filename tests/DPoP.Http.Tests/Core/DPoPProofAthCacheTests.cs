using System.Runtime.CompilerServices;
using System.Text.Json;
using DPoP.Http.Internal;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.Tests.Core;

/// <summary>
/// <see cref="DPoPProof.Create(DPoPKey, string, string, string?, string?)"/> keeps the <c>ath</c> of the tokens it
/// lately saw (one SHA-256 per token, not per proof): every proof must still carry its own token's hash, whatever the
/// order, the thread or the number of tokens, and the cache must keep no more than its few tokens alive.
/// </summary>
public sealed class DPoPProofAthCacheTests
{
    private const string Rfc9449Token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
    private const string Rfc9449Ath = "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo";
    private const string Uri = "https://resource.example.org/protectedresource";

    private static readonly DPoPKey Key = DPoPKey.Generate();

    [Test]
    public void Create_SameTokenAgainAndAnEqualCopy_ReproducesTheRfc9449Ath()
    {
        // A copy equal in value but another instance: the cache compares the characters, not the reference.
        var copy = new string(Rfc9449Token.AsSpan());

        var aths = new[] { Rfc9449Token, Rfc9449Token, copy, Rfc9449Token }.Select(token => AthOf(DPoPProof.Create(Key, "GET", Uri, token))).ToArray();

        Assert.That(aths, Is.All.EqualTo(Rfc9449Ath));
    }

    [Test]
    public void Create_TwoTokensAlternating_EachProofCarriesItsOwnTokensAth()
    {
        // Same length and same last characters (so the same slot), different first characters (a JWT's header part
        // differs while its tail is the signature); and a pair that differs only in its last character.
        var tail = new string('t', 40);
        string[] tokens = ["first." + tail, "other." + tail, Rfc9449Token, Rfc9449Token[..^1] + "V"];

        var wrong = new List<string>();
        for (var round = 0; round < 5; round++)
        {
            foreach (var token in tokens)
            {
                var ath = AthOf(DPoPProof.Create(Key, HttpMethod.Get, new Uri(Uri), token, nonce: null));
                if (ath != DPoPProof.ComputeAth(token))
                {
                    wrong.Add($"round {round}, token {Array.IndexOf(tokens, token)}");
                }
            }
        }

        Assert.That(wrong, Is.Empty);
    }

    [Test]
    public void Create_ManyDistinctTokens_KeepsNoMoreThanTheCacheCapacityAlive()
    {
        var tokens = CreateProofsForDistinctTokens(2000);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var alive = tokens.Count(token => token.IsAlive);
        Assert.That(alive, Is.LessThanOrEqualTo(DPoPAthCache.Capacity), "tokens the cache still holds");
    }

    [Test]
    [Category("Slow")]
    public void Create_ConcurrentCallersSharingTokens_EveryProofCarriesItsOwnTokensAth()
    {
        // More tokens than the cache holds, several on one slot (same length and tail), on all cores at once: slots
        // are overwritten while others read them.
        var tail = new string('x', 30);
        var tokens = Enumerable.Range(0, 3 * DPoPAthCache.Capacity)
            .Select(i => i % 3 == 0 ? $"{i:D4}.{tail}" : $"token-{i}-{Guid.NewGuid():N}")
            .ToArray();
        var expected = tokens.Select(DPoPProof.ComputeAth).ToArray();
        var threads = Math.Max(4, Environment.ProcessorCount);
        using var start = new Barrier(threads);
        var wrong = 0;

        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, thread =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 400; i++)
            {
                var index = (i * 7 + thread * 13) % tokens.Length;
                if (AthOf(DPoPProof.Create(Key, "POST", Uri, tokens[index])) != expected[index])
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        });

        Assert.That(wrong, Is.Zero, "proofs with another token's ath");
    }

    [Test]
    public void Create_TokenSeenBefore_AllocatesNoMoreThanAProofOfTheSameLengthWithoutToken()
    {
        // `,"nonce":"<41 chars>"` is as long as `,"ath":"<43 chars>"`: the same payload, signing input and proof
        // length, so the same allocations (the proof string and what the signature allocates inside .NET) — unless
        // the token costs something beyond them.
        var nonce = new string('n', 41);
        DPoPProof.Create(Key, "GET", Uri, Rfc9449Token);

        var withToken = MinimumAllocation(() => DPoPProof.Create(Key, "GET", Uri, Rfc9449Token), out var proofWithToken);
        var withNonce = MinimumAllocation(() => DPoPProof.Create(Key, "GET", Uri, nonce: nonce), out var proofWithNonce);

        Assert.Multiple(() =>
        {
            Assert.That(proofWithToken, Has.Length.EqualTo(proofWithNonce.Length), "proofs of one length");
            Assert.That(withToken, Is.EqualTo(withNonce), "bytes allocated per proof");
        });
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference[] CreateProofsForDistinctTokens(int count)
    {
        var tokens = new WeakReference[count];
        for (var i = 0; i < count; i++)
        {
            var token = $"{Guid.NewGuid():N}.{new string('p', 1000)}.{i}";
            DPoPProof.Create(Key, "GET", Uri, token);
            tokens[i] = new WeakReference(token);
        }

        return tokens;
    }

    private static long MinimumAllocation(Func<string> create, out string result)
    {
        result = create();
        var minimum = long.MaxValue;
        for (var i = 0; i < 20; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            result = create();
            minimum = Math.Min(minimum, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return minimum;
    }

    private static string AthOf(string proof)
    {
        using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(proof.Split('.')[1]));
        return payload.RootElement.GetProperty("ath").GetString()!;
    }
}
