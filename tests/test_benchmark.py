"""`make bench`: reading wrk's output and combining its rounds (the load itself is no test)."""

from django.test import SimpleTestCase

from netinfo.site.management.commands.benchmark import combine, parse_wrk

WRK_OUTPUT = """\
Running 1s test @ http://127.0.0.1:8111/bench/hello
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     7.44ms    4.57ms  47.38ms   96.56%
    Req/Sec     1.15k   218.74     1.33k    90.00%
  Latency Distribution
     50%    6.40ms
     75%    7.48ms
     90%    8.16ms
     99%   36.73ms
  2283 requests in 1.00s, 1.51MB read
{errors}Requests/sec:   2281.66
Transfer/sec:      1.51MB
"""


class BenchmarkTests(SimpleTestCase):
    def test_reads_wrk_output(self):
        self.assertEqual(
            parse_wrk(WRK_OUTPUT.format(errors="")),
            {"rps": 2281.66, "p50_ms": 6.4, "p99_ms": 36.73, "errors": 0},
        )
        errors = (
            "  Socket errors: connect 0, read 3, write 0, timeout 2\n"
            "  Non-2xx or 3xx responses: 7\n"
        )
        self.assertEqual(parse_wrk(WRK_OUTPUT.format(errors=errors))["errors"], 12)

    def test_rounds_combine_into_one_result(self):
        rounds = [
            {"rps": 300.0, "p50_ms": 40.0, "p99_ms": 90.0, "errors": 0},
            {"rps": 420.0, "p50_ms": 30.0, "p99_ms": 50.0, "errors": 1},
            {"rps": 360.0, "p50_ms": 35.0, "p99_ms": 60.0, "errors": 0},
        ]
        self.assertEqual(
            combine(rounds), {"rps": 360.0, "p50_ms": 35.0, "p99_ms": 60.0, "errors": 1}
        )
