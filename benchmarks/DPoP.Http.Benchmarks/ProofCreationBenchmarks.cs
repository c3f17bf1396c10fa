using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Jose;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.Benchmarks;

/// <summary>
/// Proof creation against its floor, the bare signature over a signing input of the same length, and against the two
/// ways a .NET app would build the same proof with a JOSE library (jose-jwt, Microsoft.IdentityModel). All approaches
/// sign with the same key object and produce the same header members and claims (checked in setup).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ProofCreationBenchmarks
{
    private const string UriString = "https://api.example.com/v1/resources/42?expand=all";

    private static readonly Uri RequestUri = new(UriString);

    private BenchmarkKey _key = null!;
    private byte[] _signingInput = null!;
    private byte[] _signature = null!;
    private Dictionary<string, object> _joseHeaders = null!;
    private JwsAlgorithm _joseAlgorithm;
    private JsonWebTokenHandler _identityModelHandler = null!;
    private Dictionary<string, object> _identityModelHeaders = null!;
    private SigningCredentials _identityModelCredentials = null!;

    [Params(DPoPAlgorithms.ES256, DPoPAlgorithms.ES384, DPoPAlgorithms.ES512, DPoPAlgorithms.RS256, DPoPAlgorithms.PS256)]
    public string Algorithm { get; set; } = DPoPAlgorithms.ES256;

    [GlobalSetup]
    public void Setup()
    {
        _key = BenchmarkKey.Create(Algorithm);

        // The floor signs exactly what a proof without ath/nonce signs: header.payload of the same length.
        var proof = DPoPProof.Create(_key.Key, HttpMethod.Get, RequestUri);
        _signingInput = Encoding.ASCII.GetBytes(proof[..proof.LastIndexOf('.')]);
        _signature = new byte[_key.Key.SignatureSize];

        _joseHeaders = new Dictionary<string, object>(StringComparer.Ordinal) { ["typ"] = "dpop+jwt", ["jwk"] = _key.Jwk };
        _joseAlgorithm = Enum.Parse<JwsAlgorithm>(Algorithm);

        // Times are the claims' business here (iat only, as RFC 9449 wants), not the handler's defaults (exp, nbf).
        _identityModelHandler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        _identityModelHeaders = new Dictionary<string, object>(StringComparer.Ordinal) { ["typ"] = "dpop+jwt", ["jwk"] = _key.Jwk };
        SecurityKey securityKey = _key.Ecdsa is not null ? new ECDsaSecurityKey(_key.Ecdsa) : new RsaSecurityKey(_key.Rsa);
        _identityModelCredentials = new SigningCredentials(securityKey, Algorithm);

        ProofCheck.Equivalent(proof, DPoPProof_String(), nameof(DPoPProof_String));
        ProofCheck.Equivalent(proof, JoseJwt_Encode(), nameof(JoseJwt_Encode));
        ProofCheck.Equivalent(proof, IdentityModel_CreateToken(), nameof(IdentityModel_CreateToken));
        ProofCheck.Equivalent(
            DPoPProof.Create(_key.Key, HttpMethod.Get, RequestUri, BenchmarkData.AccessToken, BenchmarkData.Nonce),
            DPoPProof_Uri_AthNonce(),
            nameof(DPoPProof_Uri_AthNonce));
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(Baseline = true, Description = "Bare signature")]
    public int BareSignature() => _key.SignData(_signingInput, _signature);

    /// <summary>What the handler calls: HttpMethod and an already parsed Uri.</summary>
    [Benchmark]
    public string DPoPProof_Uri() => DPoPProof.Create(_key.Key, HttpMethod.Get, RequestUri);

    /// <summary>The string overload parses the URI on every call.</summary>
    [Benchmark]
    public string DPoPProof_String() => DPoPProof.Create(_key.Key, "GET", UriString);

    /// <summary>With a bound token (its ath hashed once, then taken from DPoPAthCache, as in the handler) and a server nonce.</summary>
    [Benchmark]
    public string DPoPProof_Uri_AthNonce() => DPoPProof.Create(_key.Key, HttpMethod.Get, RequestUri, BenchmarkData.AccessToken, BenchmarkData.Nonce);

    [Benchmark]
    public string JoseJwt_Encode()
    {
        var payload = new Dictionary<string, object>(4, StringComparer.Ordinal)
        {
            ["jti"] = NewJti(),
            ["htm"] = HttpMethod.Get.Method,
            ["htu"] = RequestUri.GetLeftPart(UriPartial.Path),
            ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        return JWT.Encode(payload, _key.KeyObject, _joseAlgorithm, _joseHeaders);
    }

    [Benchmark]
    public string IdentityModel_CreateToken()
    {
        var descriptor = new SecurityTokenDescriptor
        {
            AdditionalHeaderClaims = _identityModelHeaders,
            Claims = new Dictionary<string, object>(4, StringComparer.Ordinal)
            {
                ["jti"] = NewJti(),
                ["htm"] = HttpMethod.Get.Method,
                ["htu"] = RequestUri.GetLeftPart(UriPartial.Path),
                ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            },
            SigningCredentials = _identityModelCredentials,
        };
        return _identityModelHandler.CreateToken(descriptor);
    }

    private static string NewJti()
    {
        Span<byte> jti = stackalloc byte[16];
        RandomNumberGenerator.Fill(jti);
        return System.Buffers.Text.Base64Url.EncodeToString(jti);
    }
}
