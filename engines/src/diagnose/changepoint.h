// Change points in a series: PELT (Killick, Fearnhead and Eckley, 2012) for a
// change in mean, with R changepoint's MBIC penalty; and the evaluation metrics
// of the TCPD benchmark (van den Burg and Williams, 2020), to score detectors.
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <vector>

namespace mtc::eng::drift {

using std::size_t;

// Change points of a series of finite values: 0-based indices of the first
// value of each new segment (TCPD's convention; the Nile's 1899 is 28). The
// series is standardised (mean 0, standard deviation 1, as R's scale()); the
// cost of a segment is its residual sum of squares plus log(its length) and
// each change costs 3 log(n) (MBIC, as R's changepoint package computes it).
std::vector<size_t> pelt(const std::vector<double>& y, size_t minSegment = 2);

// TCPD's F1 with a margin of 5 (precision against the union of the annotators'
// change points, recall averaged over annotators, 0 counted as a change point).
double tcpdF1(const std::map<int, std::vector<size_t>>& annotations, const std::vector<size_t>& predictions,
              size_t margin = 5);
// TCPD's cover: how well the predicted segmentation covers each annotator's, averaged.
double tcpdCover(const std::map<int, std::vector<size_t>>& annotations, const std::vector<size_t>& predictions, size_t n);
// The pieces, for tests of the doctests.
std::set<size_t> tcpdTruePositives(const std::set<size_t>& truth, const std::set<size_t>& predicted, size_t margin = 5);
double tcpdCoverSingle(const std::vector<std::set<size_t>>& truth, const std::vector<std::set<size_t>>& predicted);
std::vector<std::set<size_t>> tcpdPartition(const std::vector<size_t>& changePoints, size_t n);

}  // namespace mtc::eng::drift
