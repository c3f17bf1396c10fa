using System.Diagnostics;
using CsCheck;
using DPoP.Http.Tests.Support;
using static DPoP.Http.Tests.Reliability.KeyInputGenerators;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// Our own fuzz pass (CsCheck) over every parser of configuration-controlled or caller-controlled text: the key
/// importers, the thumbprint, proof creation's arguments, the nonce store's origins and the start-up validators.
/// The invariants: only the documented exception (an <see cref="ArgumentException"/> naming the parameter), a key
/// that imports proves possession (its proof verifies under its own public JWK, checked by Microsoft.IdentityModel),
/// no key material in any message or inner exception, and bounded time. Seeds are fixed, so CI runs the same inputs
/// every time; CsCheck prints the seed of a failure to replay it. Iterations are sized for the whole class to run in
/// about 20 seconds on a CI machine.
/// </summary>
[Category("Slow")]
public sealed class KeyInputFuzzTests
{
    private const string Seed = "0N0XIzNsQ0O2";

    /// <summary>Far above what any one call needs: a guard against hangs, not a performance assertion.</summary>
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(10);

    [Test]
    public void FromJwk_MutatedAndRandomJwks_ImportAndProvePossession_OrThrowArgumentException() =>
        Assert.That(
            ImportedCount(Gen.Frequency((4, MutatedJwk), (1, RandomJwkLike)), json => DPoPKey.FromJwk(json), "privateJwkJson", iterations: 1_500),
            Is.GreaterThan(20),
            "some mutations leave a usable key (an extra or reordered member)");

    [Test]
    public void FromPem_MutatedPems_ImportAndProvePossession_OrThrowArgumentException() =>
        Assert.That(
            ImportedCount(MutatedPem, text => DPoPKey.FromPem(text), "pem", iterations: 1_500),
            Is.GreaterThan(50),
            "unmutated and harmlessly mutated PEMs import");

    [Test]
    public void FromEncryptedPem_MutatedPemsAndPasswords_ImportAndProvePossession_OrThrowArgumentException() =>
        Assert.That(
            ImportedCount(
                Gen.Select(MutatedPem.Where(p => p.Contains("ENCRYPTED", StringComparison.Ordinal)), Password),
                input => DPoPKey.FromEncryptedPem(input.Item1, input.Item2),
                "pem",
                iterations: 250),
            Is.GreaterThan(10),
            "encrypted PEMs with the right password import");

    [Test]
    public void ComputeJwkThumbprint_MutatedAndRandomJwks_ReturnsA43CharThumbprint_OrThrowsArgumentException()
    {
        Gen.OneOf(MutatedJwk, RandomJwkLike).Sample(json =>
        {
            var thrown = Run(() => DPoPKey.ComputeJwkThumbprint(json), out var thumbprint, json);
            if (thrown is null)
            {
                Assert.That(thumbprint, Has.Length.EqualTo(43), Escape(json));
            }
            else
            {
                IsDocumented(thrown, "publicJwkJson", json);
            }
        }, iter: 3_000, seed: Seed, threads: 1);
    }

    [Test]
    public void Create_RandomMethodUriTokenAndNonce_ReturnsAVerifiableProof_OrThrowsArgumentExceptionNamingTheArgument()
    {
        var key = Keys[0];
        var created = 0;
        Gen.Select(Method, UriText, Token, Nonce).Sample(input =>
        {
            var (method, uri, token, nonce) = input;
            var description = string.Join(" | ", method, uri, token, nonce);
            var thrown = Run(() => DPoPProof.Create(key, method, uri, token, nonce), out var proof, description);
            if (thrown is not null)
            {
                Assert.That(thrown, Is.TypeOf<ArgumentException>(), Escape(description) + "\n" + thrown);
                Assert.That(((ArgumentException)thrown).ParamName, Is.AnyOf("method", "uri", "accessToken", "nonce"), Escape(description));
                return;
            }

            created++;
            var verified = IndependentProofVerifier.Verify(proof!);
            Assert.That(verified.Claim("htu").All(c => c is > ' ' and < '\u007f'), Is.True, Escape(description));
            if (Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
            {
                Assert.That(() => DPoPProof.Create(key, HttpMethod.Get, parsed), Throws.Nothing, "the Uri overload accepts what the string overload accepts: " + Escape(uri));
            }
        }, iter: 3_000, seed: Seed, threads: 1);

        Assert.That(created, Is.GreaterThan(100), "valid requests were generated");
    }

    [Test]
    public void NonceStore_RandomUris_StoreAndReturnTheNonce_OrThrowArgumentExceptionNamingRequestUri()
    {
        var store = new DPoPNonceStore(capacity: 50);
        UriText.Sample(text =>
        {
            if (!Uri.TryCreate(text, UriKind.RelativeOrAbsolute, out var uri))
            {
                return;
            }

            var set = PropertyTests.Try(() => store.SetNonce(uri, "n-1"));
            var get = PropertyTests.Try(() => store.GetNonce(uri));
            Assert.That(get?.GetType(), Is.EqualTo(set?.GetType()), "reads and writes refuse the same URIs: " + Escape(text));
            if (set is null)
            {
                Assert.That(store.GetNonce(uri), Is.EqualTo("n-1"), Escape(text));
            }
            else
            {
                IsDocumented(set, "requestUri", text);
            }
        }, iter: 3_000, seed: Seed, threads: 1);
    }

    [Test]
    public void OptionsValidators_GeneratedKeyText_FailValidationNamingClientAndProperty_NeverThrow()
    {
        var registry = new DPoPClientRegistry();
        registry.Add("api");
        var validator = new DPoPClientOptionsValidator(registry, Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(new Microsoft.Extensions.DependencyInjection.ServiceCollection()));
        Gen.OneOf(MutatedJwk, MutatedPem, RandomJwkLike).Where(t => t.Length > 0).Sample(text =>
        {
            Microsoft.Extensions.Options.ValidateOptionsResult result = null!;
            List<string> tokenProblems = null!;
            var thrown = PropertyTests.Try(() =>
            {
                result = validator.Validate("api", new DPoPClientOptions { PrivateKey = text });
                tokenProblems = DPoPTokenClientOptionsRules.Check(new DPoPTokenClientOptions
                {
                    TokenEndpoint = new Uri("https://as.example/token"),
                    ClientId = "c",
                    ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt,
                    ClientAssertionKey = text,
                });
            });

            Assert.That(thrown, Is.Null, Escape(text));
            Assert.That(result.Failed, Is.EqualTo(tokenProblems.Count != 0), "both validators judge a key alike: " + Escape(text));
            if (result.Failed)
            {
                Assert.That(result.FailureMessage, Does.StartWith("DPoP options of HttpClient 'api': PrivateKey does not hold a usable private key"), Escape(text));
                Assert.That(tokenProblems, Has.Exactly(1).StartWith("ClientAssertionKey does not hold a usable private key"), Escape(text));
                NoSecretIn(result.FailureMessage + string.Concat(tokenProblems), text);
            }
        }, iter: 400, seed: Seed, threads: 1);
    }

    // ---- invariants ------------------------------------------------------------------------------------------------

    /// <summary>Samples <paramref name="inputs"/>: each imports a key that proves possession, or is refused as documented.</summary>
    private static int ImportedCount<T>(Gen<T> inputs, Func<T, DPoPKey> import, string paramName, int iterations)
    {
        var imported = 0;
        inputs.Sample(input =>
        {
            var description = input!.ToString()!;
            var thrown = Run(() => import(input), out var key, description);
            if (thrown is not null)
            {
                IsDocumented(thrown, paramName, description);
                return;
            }

            imported++;
            ProvesPossession(key!, description);
        }, iter: iterations, seed: Seed, threads: 1);
        return imported;
    }

    private static void IsDocumented(Exception thrown, string paramName, string input)
    {
        Assert.That(thrown, Is.TypeOf<ArgumentException>(), Escape(input) + "\n" + thrown);
        Assert.That(((ArgumentException)thrown).ParamName, Is.EqualTo(paramName), Escape(input));
        NoSecretIn(thrown.ToString(), input);
    }

    private static void NoSecretIn(string text, string input)
    {
        foreach (var secret in Secrets)
        {
            Assert.That(text.Contains(secret, StringComparison.Ordinal), Is.False, "a message or inner exception quotes key material: " + Escape(input));
        }
    }

    /// <summary>The key signs a proof that Microsoft.IdentityModel verifies with the public JWK in its header.</summary>
    private static void ProvesPossession(DPoPKey key, string input)
    {
        using (key)
        {
            var verified = IndependentProofVerifier.Verify(DPoPProof.Create(key, "POST", "https://as.example/token"));
            Assert.That(DPoPKey.ComputeJwkThumbprint(verified.JwkJson), Is.EqualTo(key.JwkThumbprint), Escape(input));
        }
    }

    private static Exception? Run<T>(Func<T> call, out T? result, string input)
    {
        var stopwatch = Stopwatch.StartNew();
        T? value = default;
        var thrown = PropertyTests.Try(() => value = call());
        Assert.That(stopwatch.Elapsed, Is.LessThan(CallBound), "bounded time: " + Escape(input));
        result = value;
        return thrown;
    }
}
