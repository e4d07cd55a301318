# STIGLER'S NUTRITION MODEL
#
# This model determines a least cost diet which meets the daily
# allowances of nutrients for a moderately active man weighing 154 lbs.
#
#  References:
#              Dantzig G B, "Linear Programming and Extensions."
#              Princeton University Press, Princeton, New Jersey, 1963,
#              Chapter 27-1.

set N;
/* nutrients */

set F;
/* foods */

param b{N};
/* required daily allowances of nutrients */

param a{F,N};
/* nutritive value of foods (per dollar spent) */

var x{f in F} >= 0;
/* dollars of food f to be purchased daily */

s.t. nb{n in N}: sum{f in F} a[f,n] * x[f] = b[n];
/* nutrient balance (units) */

minimize cost: sum{f in F} x[f];
/* total food bill (dollars) */

data;

param : N : b :=
         calorie       3 /* thousands */
         protein      70 /* grams */
         calcium     0.8 /* grams */
         iron         12 /* milligrams */
         vitamin_a     5 /* thousands IUs */
         vitamin_b1  1.8 /* milligrams */
         vitamin_b2  2.7 /* milligrams */
         niacin       18 /* milligrams */
         vitamin_c    75 /* milligrams */  ;

set F := wheat cornmeal cannedmilk margarine cheese peanut_b lard
         liver porkroast salmon greenbeans cabbage onions potatoes
         spinach sweet_pot peaches prunes limabeans navybeans;

param a default 0

:           calorie  protein  calcium  iron  vitamin_a  vitamin_b1 :=
#            (1000)    (g)      (g)    (mg)   (1000IU)     (mg)

wheat         44.7     1411      2.0    365        .       55.4
cornmeal      36        897      1.7     99      30.9      17.4
cannedmilk     8.4      422     15.1      9      26         3
margarine     20.6       17       .6      6      55.8        .2
cheese         7.4      448     16.4     19      28.1        .8
peanut_b      15.7      661      1       48        .        9.6
lard          41.7        .       .       .        .2        .
liver          2.2      333       .2    139     169.2       6.4
porkroast      4.4      249       .3     37        .       18.2
salmon         5.8      705      6.8     45       3.5       1
greenbeans     2.4      138      3.7     80      69         4.3
cabbage        2.6      125      4       36       7.2       9
onions         5.8      166      3.8     59      16.6       4.7
potatoes      14.3      336      1.8    118       6.7      29.4
spinach        1.1      106       .     138     918.4       5.7
sweet_pot      9.6      138      2.7     54     290.7       8.4
peaches        8.5       87      1.7    173      86.8       1.2
prunes        12.8       99      2.5    154      85.7       3.9
limabeans     17.4     1055      3.7    459       5.1      26.9
navybeans     26.9     1691     11.4    792        .       38.4

:          vitamin_b2  niacin  vitamin_c :=
#             (mg)      (mg)     (mg)

wheat         33.3       441         .
cornmeal       7.9       106         .
cannedmilk    23.5        11        60
margarine       .          .         .
cheese        10.3         4         .
peanut_b       8.1       471         .
lard            .5         5         .
liver         50.8       316       525
porkroast      3.6        79         .
salmon         4.9       209         .
greenbeans     5.8        37       862
cabbage        4.5        26      5369
onions         5.9        21      1184
potatoes       7.1       198      2522
spinach       13.8        33      2755
sweet_pot      5.4        83      1912
peaches        4.3        55        57
prunes         4.3        65       257
limabeans     38.2        93         .
navybeans     24.6       217         .   ;

end;
