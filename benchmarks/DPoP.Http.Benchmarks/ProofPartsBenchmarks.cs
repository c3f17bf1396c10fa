using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;

namespace DPoP.Http.Benchmarks;

/// <summary>
/// Where an ES256 proof's time goes besides the signature: each step of <c>DPoPProofWriter.Create</c> on its own,
/// against the signature it wraps, and the whole proof with a null signature: the proof's cost above its floor,
/// measured without the signature's noise.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ProofPartsBenchmarks
{
    private static readonly Uri RequestUri = new("https://api.example.com/v1/resources/42?expand=all");

    private readonly byte[] _buffer = new byte[1024];
    private BenchmarkKey _key = null!;
    private DPoPKey _nullSigner = null!;
    private byte[] _signingInput = null!;
    private byte[] _proofBytes = null!;
    private byte[] _payload = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = BenchmarkKey.Create(DPoPAlgorithms.ES256);
        _nullSigner = NullSignatureECDsa.CreateKey();
        var proof = DPoPProof.Create(_key.Key, HttpMethod.Get, RequestUri);
        _proofBytes = Encoding.ASCII.GetBytes(proof);
        _signingInput = _proofBytes[..proof.LastIndexOf('.')];
        _payload = Base64Url.DecodeFromChars(proof.Split('.')[1]);
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(Baseline = true, Description = "Bare signature")]
    public int BareSignature() => _key.SignData(_signingInput, _buffer);

    [Benchmark]
    public int DPoPKey_Sign() => _key.Key.Sign(_signingInput, _buffer);

    [Benchmark]
    public string WholeProof() => DPoPProof.Create(_key.Key, HttpMethod.Get, RequestUri);

    /// <summary>The same proof with a signature that costs nothing: all that DPoP.Http adds above the signature.</summary>
    [Benchmark]
    public string WholeProof_NullSigner() => DPoPProof.Create(_nullSigner, HttpMethod.Get, RequestUri);

    /// <summary>As above with a bound token (its ath from DPoPAthCache after the first call) and a nonce.</summary>
    [Benchmark]
    public string WholeProof_AthNonce_NullSigner() =>
        DPoPProof.Create(_nullSigner, HttpMethod.Get, RequestUri, BenchmarkData.AccessToken, BenchmarkData.Nonce);

    [Benchmark]
    public void Validate_Uri() => DPoPTargetUri.Validate(RequestUri, "uri");

    [Benchmark]
    public int Write_Htu() => DPoPTargetUri.GetMaxHtuLength(RequestUri) + DPoPTargetUri.WriteHtu(RequestUri, _buffer);

    /// <summary>What the library paid per proof before pooling: one RandomNumberGenerator call per jti.</summary>
    [Benchmark]
    public byte Random_Jti_PerCall()
    {
        Span<byte> jti = stackalloc byte[16];
        RandomNumberGenerator.Fill(jti);
        return jti[0];
    }

    /// <summary>One call for 32 jtis: the cost of a call is not in the bytes.</summary>
    [Benchmark]
    public byte Random_512Bytes()
    {
        Span<byte> bytes = stackalloc byte[512];
        RandomNumberGenerator.Fill(bytes);
        return bytes[0];
    }

    /// <summary>What the library pays: a slice of a per-thread pool filled 32 jtis at a time.</summary>
    [Benchmark]
    public byte Random_Jti_Pooled()
    {
        Span<byte> jti = stackalloc byte[16];
        DPoPProofWriter.FillJti(jti);
        return jti[0];
    }

    [Benchmark]
    public long Clock_Iat() => TimeProvider.System.GetUtcNow().ToUnixTimeSeconds();

    [Benchmark]
    public int Base64Url_PayloadAndSignature() =>
        Base64Url.EncodeToUtf8(_payload, _buffer) + Base64Url.EncodeToUtf8(_signingInput.AsSpan(0, 64), _buffer.AsSpan(512));

    /// <summary>With a token, DPoPProof.Create checks it is visible ASCII (one pass over ~700 characters)...</summary>
    [Benchmark]
    public bool Ath_ValidateToken() => DPoPSyntax.IsAccessToken(BenchmarkData.AccessToken);

    /// <summary>The scalar check DPoPSyntax.IsAccessToken replaced (one compare per char); kept to prove the vectorized one.</summary>
    [Benchmark]
    public bool Ath_ValidateToken_ScalarLoop()
    {
        foreach (var c in BenchmarkData.AccessToken)
        {
            if (c < 0x21 || c > 0x7E)
            {
                return false;
            }
        }

        return BenchmarkData.AccessToken.Length != 0;
    }

    /// <summary>...and hashes it for ath: ASCII bytes, SHA-256, base64url (what a DPoPAthCache miss costs).</summary>
    [Benchmark]
    public char Ath_Hash()
    {
        Span<char> ath = stackalloc char[DPoPProofWriter.AthCharCount];
        DPoPProofWriter.WriteAth(BenchmarkData.AccessToken, ath);
        return ath[0];
    }

    /// <summary>What DPoPProof.Create and the handler pay for ath once a token has been seen: a slot and a string compare.</summary>
    [Benchmark]
    public string Ath_CacheHit() => DPoPAthCache.Shared.GetAth(BenchmarkData.AccessToken);

    [Benchmark]
    public string Ascii_ResultString() => Encoding.ASCII.GetString(_proofBytes);

    [Benchmark]
    public int ArrayPool_RentReturn()
    {
        var rented = ArrayPool<byte>.Shared.Rent(_proofBytes.Length * 2);
        var length = rented.Length;
        ArrayPool<byte>.Shared.Return(rented);
        return length;
    }
}
