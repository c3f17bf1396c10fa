using System.Text;
using BenchmarkDotNet.Attributes;

namespace DPoP.Http.Benchmarks;

/// <summary>
/// The same number of ES256 proofs on one thread and split over two: a key is shared by all of a client's requests,
/// so proof creation must not serialize on it. Times are per proof; the 1→2 thread throughput gain is the inverse
/// of the 2-thread ratio. The bare signature, scaled the same way, shows what the machine itself allows.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ThreadScalingBenchmarks
{
    private const int Proofs = 2048;

    /// <summary>Null-signer proofs take ~0.3 µs: enough of them that starting the second thread is lost in the noise.</summary>
    private const int NullSignerProofs = 128 * 1024;

    private static readonly Uri RequestUri = new("https://api.example.com/v1/resources/42?expand=all");

    private BenchmarkKey _key = null!;
    private DPoPKey _nullSigner = null!;
    private byte[] _signingInput = null!;

    [GlobalSetup]
    public void Setup()
    {
        _key = BenchmarkKey.Create(DPoPAlgorithms.ES256);
        _nullSigner = NullSignatureECDsa.CreateKey();
        var proof = DPoPProof.Create(_key.Key, HttpMethod.Get, RequestUri);
        _signingInput = Encoding.ASCII.GetBytes(proof[..proof.LastIndexOf('.')]);
    }

    [GlobalCleanup]
    public void Cleanup() => _key.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Proofs, Description = "Proofs, 1 thread")]
    public void Proofs_1Thread() => CreateProofs(Proofs);

    [Benchmark(OperationsPerInvoke = Proofs, Description = "Proofs, 2 threads")]
    public void Proofs_2Threads() => OnTwoThreads(CreateProofs, Proofs);

    /// <summary>DPoP.Http's own part of a proof (null signature): shows that nothing of ours serializes the threads.</summary>
    [Benchmark(OperationsPerInvoke = NullSignerProofs, Description = "Proofs, null signer, 1 thread")]
    public void NullSignerProofs_1Thread() => CreateNullSignerProofs(NullSignerProofs);

    [Benchmark(OperationsPerInvoke = NullSignerProofs, Description = "Proofs, null signer, 2 threads")]
    public void NullSignerProofs_2Threads() => OnTwoThreads(CreateNullSignerProofs, NullSignerProofs);

    [Benchmark(OperationsPerInvoke = Proofs, Description = "Bare signatures, 1 thread")]
    public void Signatures_1Thread() => Sign(Proofs);

    [Benchmark(OperationsPerInvoke = Proofs, Description = "Bare signatures, 2 threads")]
    public void Signatures_2Threads() => OnTwoThreads(Sign, Proofs);

    private static void OnTwoThreads(Action<int> work, int count)
    {
        // Dedicated threads, not the pool: the pool may be slow to give a second thread and would blur the ratio.
        var second = new Thread(() => work(count / 2));
        second.Start();
        work(count - (count / 2));
        second.Join();
    }

    private void CreateProofs(int count)
    {
        for (var i = 0; i < count; i++)
        {
            DPoPProof.Create(_key.Key, HttpMethod.Get, RequestUri);
        }
    }

    private void CreateNullSignerProofs(int count)
    {
        for (var i = 0; i < count; i++)
        {
            DPoPProof.Create(_nullSigner, HttpMethod.Get, RequestUri);
        }
    }

    private void Sign(int count)
    {
        Span<byte> signature = stackalloc byte[_key.Key.SignatureSize];
        for (var i = 0; i < count; i++)
        {
            _key.SignData(_signingInput, signature);
        }
    }
}
